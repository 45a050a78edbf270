-- An Odoo-shaped database (Odoo 17 table and column names) holding personal data and accounting, for AnonymizerTest.
-- 300 partners; partners 1..20 share their email with partner id+20 (duplicates); users, employees, leads, messages,
-- outgoing mails and tracking values repeat the partners' emails; invoices, bills, entries and payments balance.
CREATE TABLE res_currency (id int PRIMARY KEY, name varchar, rounding numeric, decimal_places int);
INSERT INTO res_currency VALUES (1, 'EUR', 0.01, 2), (2, 'USD', 0.01, 2), (3, 'JPY', 1, 0);
CREATE TABLE res_company (id int PRIMARY KEY, name varchar, currency_id int, partner_id int);
INSERT INTO res_company VALUES (1, 'Fixture Company', 1, 1);

CREATE TABLE res_partner (id serial PRIMARY KEY, name varchar, complete_name varchar, email varchar,
  email_normalized varchar, phone varchar, mobile varchar, phone_sanitized varchar, street varchar, street2 varchar,
  zip varchar, city varchar, vat varchar, website varchar, comment text, is_company boolean, parent_id int,
  company_id int, active boolean DEFAULT true);
INSERT INTO res_partner (name, complete_name, email, email_normalized, phone, mobile, phone_sanitized, street, street2,
  zip, city, vat, website, comment, is_company, company_id)
SELECT n, n, e, lower(e), '+32 471 ' || lpad((g * 7919 % 1000000)::text, 6, '0'),
       '+32 499 ' || lpad((g * 104729 % 1000000)::text, 6, '0'), '+32471' || lpad((g * 7919 % 1000000)::text, 6, '0'),
       (g % 97 + 1) || ' Quagmire Boulevard', 'Floor ' || g, lpad((7000 + g)::text, 4, '0'), 'Zwartowice' || g,
       'BE0' || lpad((g * 7727 % 1000000000)::text, 9, '0'), 'https://zorbec' || g || '.example.org',
       '<p>Call ' || n || ' about the contract</p>', g % 3 = 0, 1
FROM (SELECT g,
        (ARRAY['Zephyrine','Bartholomew','Ottoline','Cuthbert','Hyacinth','Peregrine','Wilhelmina','Ignatius',
               'Philomena','Thaddeus'])[1 + g % 10] || ' ' ||
        (ARRAY['Quackenbush','Fotheringay','Snodgrass','Wolstenholme','Ravenscroft','Pumblechook','Gradgrind',
               'Twistleton','Featherstonehaugh','Cholmondeley','Marjoribanks','Belvoir'])[1 + (g / 10) % 12] ||
        '-' || g AS n,
        'orig.person' || (CASE WHEN g > 20 AND g <= 40 THEN g - 20 ELSE g END) || '@realmail-fixture.com' AS e
      FROM generate_series(1, 300) g) s;

CREATE TABLE res_partner_bank (id serial PRIMARY KEY, partner_id int, acc_number varchar, sanitized_acc_number varchar,
  acc_holder_name varchar, UNIQUE (sanitized_acc_number, partner_id));
INSERT INTO res_partner_bank (partner_id, acc_number, sanitized_acc_number, acc_holder_name)
SELECT id, 'BE71 0961 ' || lpad((id * 3571 % 10000)::text, 4, '0') || ' ' || lpad((id * 11 % 10000)::text, 4, '0'),
       'BE710961' || lpad((id * 3571 % 10000)::text, 4, '0') || lpad((id * 11 % 10000)::text, 4, '0'), name
FROM res_partner WHERE id <= 150;

CREATE TABLE res_users (id serial PRIMARY KEY, login varchar NOT NULL UNIQUE, partner_id int, password varchar,
  totp_secret varchar, signature text, active boolean DEFAULT true, share boolean DEFAULT false);
INSERT INTO res_users (login, partner_id, password) VALUES ('__system__', 1, NULL), ('admin', 1, '$pbkdf2-sha512$600000$adminhash');
INSERT INTO res_users (login, partner_id, password, totp_secret, signature)
SELECT email, id, '$pbkdf2-sha512$600000$' || md5(email), CASE WHEN id % 2 = 0 THEN 'TOTPSECRET' || id END,
       '<p>' || name || '</p>'
FROM res_partner WHERE id BETWEEN 2 AND 20;
CREATE TABLE res_users_apikeys (id serial PRIMARY KEY, name varchar, user_id int NOT NULL, scope varchar, key varchar NOT NULL);
INSERT INTO res_users_apikeys (name, user_id, key) SELECT 'ci', id, md5(login) FROM res_users;

CREATE TABLE hr_employee (id serial PRIMARY KEY, name varchar, work_email varchar, private_email varchar,
  private_phone varchar, private_street varchar, private_zip varchar, private_city varchar, identification_id varchar,
  passport_id varchar, ssnid varchar, birthday date, emergency_contact varchar, emergency_phone varchar, user_id int);
INSERT INTO hr_employee (name, work_email, private_email, private_phone, private_street, private_zip, private_city,
  identification_id, passport_id, ssnid, birthday, emergency_contact, emergency_phone)
SELECT name, email, 'home.' || email, phone, street, zip, city, 'ID' || (id * 9973), 'EP' || (id * 7717), '85.07.30-' || (100 + id),
       date '1980-01-01' + id, 'Spouse of ' || name, mobile
FROM res_partner WHERE id BETWEEN 2 AND 60;

CREATE TABLE crm_lead (id serial PRIMARY KEY, name varchar, contact_name varchar, partner_name varchar,
  email_from varchar, email_normalized varchar, email_cc varchar, phone varchar, mobile varchar, phone_sanitized varchar,
  street varchar, zip varchar, city varchar, description text, partner_id int);
INSERT INTO crm_lead (name, contact_name, partner_name, email_from, email_normalized, phone, mobile, phone_sanitized,
  street, zip, city, description, partner_id)
SELECT 'Opportunity ' || id, name, 'Company of ' || name, email, email_normalized, phone, mobile, phone_sanitized,
       street, zip, city, '<p>' || name || ' wants a quote, reach ' || email || '</p>', id
FROM res_partner WHERE id <= 200;

CREATE TABLE mail_message (id serial PRIMARY KEY, model varchar, res_id int, author_id int, message_type varchar,
  subject varchar, body text, email_from varchar, reply_to varchar, record_name varchar);
INSERT INTO mail_message (model, res_id, author_id, message_type, subject, body, email_from, reply_to, record_name)
SELECT 'res.partner', id, id, 'email', 'Hello ' || name, '<p>Dear ' || name || ', your phone ' || phone || '</p>',
       '"' || name || '" <' || email || '>', email, name
FROM res_partner;
CREATE TABLE mail_mail (id serial PRIMARY KEY, mail_message_id int, body_html text, email_to text, email_cc varchar,
  recipients varchar, state varchar);
INSERT INTO mail_mail (mail_message_id, body_html, email_to, email_cc, state)
SELECT id, body, (SELECT email FROM res_partner WHERE res_partner.id = m.res_id) || ', ' ||
       (SELECT email FROM res_partner WHERE res_partner.id = m.res_id + 1), NULL, 'outgoing'
FROM mail_message m WHERE id <= 100;
CREATE TABLE mail_tracking_value (id serial PRIMARY KEY, mail_message_id int, field_id int, old_value_char varchar,
  new_value_char varchar, old_value_text text, new_value_text text, old_value_integer int);
INSERT INTO mail_tracking_value (mail_message_id, old_value_char, new_value_char)
SELECT id, 'x-old@nowhere.fixture', email_from FROM mail_message WHERE id <= 100;

-- accounting
CREATE TABLE account_journal (id int PRIMARY KEY, code varchar, type varchar, restrict_mode_hash_table boolean);
INSERT INTO account_journal VALUES (1, 'INV', 'sale', true), (2, 'BILL', 'purchase', false), (3, 'BNK1', 'bank', false),
  (4, 'MISC', 'general', false);
CREATE TABLE account_move (id serial PRIMARY KEY, name varchar, move_type varchar, state varchar, partner_id int,
  journal_id int, company_id int DEFAULT 1, currency_id int DEFAULT 1, invoice_partner_display_name varchar,
  amount_untaxed numeric, amount_tax numeric, amount_total numeric, amount_residual numeric,
  amount_untaxed_signed numeric, amount_tax_signed numeric, amount_total_signed numeric,
  amount_total_in_currency_signed numeric, amount_residual_signed numeric,
  inalterable_hash varchar, secure_sequence_number int);
CREATE TABLE account_move_line (id serial PRIMARY KEY, move_id int NOT NULL, partner_id int, company_id int DEFAULT 1,
  company_currency_id int DEFAULT 1, currency_id int DEFAULT 1, journal_id int, account_id int, name varchar,
  display_type varchar, tax_repartition_line_id int, quantity numeric, price_unit numeric, price_subtotal numeric,
  price_total numeric, debit numeric, credit numeric, balance numeric, amount_currency numeric,
  amount_residual numeric, amount_residual_currency numeric, tax_base_amount numeric, reconciled boolean);
CREATE TABLE account_partial_reconcile (id serial PRIMARY KEY, debit_move_id int, credit_move_id int,
  amount numeric, debit_amount_currency numeric, credit_amount_currency numeric, company_currency_id int DEFAULT 1,
  debit_currency_id int DEFAULT 1, credit_currency_id int DEFAULT 1);
CREATE TABLE account_payment (id serial PRIMARY KEY, move_id int, amount numeric, currency_id int DEFAULT 1,
  partner_id int);

-- 240 invoices (out_invoice for even g, in_invoice for odd g) with three product lines of odd cents and one tax line
CREATE TEMP TABLE inv AS
SELECT g, CASE WHEN g % 2 = 0 THEN 'out_invoice' ELSE 'in_invoice' END AS mt, 1 + g % 300 AS partner,
       round(10 + (g * 37 % 900) + (g * 13 % 100) / 100.0, 2) AS p1,
       round(3 + (g * 53 % 400) + (g * 29 % 100) / 100.0, 2) AS p2,
       round(1 + (g * 71 % 50) + (g * 17 % 100) / 100.0, 2) AS p3
FROM generate_series(1, 240) g;
INSERT INTO account_move (id, name, move_type, state, partner_id, journal_id, invoice_partner_display_name,
  inalterable_hash, secure_sequence_number)
SELECT g, 'MOVE/' || g, mt, 'posted', partner, CASE WHEN mt = 'out_invoice' THEN 1 ELSE 2 END,
       (SELECT name FROM res_partner WHERE id = partner),
       CASE WHEN mt = 'out_invoice' AND g <= 40 THEN md5(g::text) END, CASE WHEN mt = 'out_invoice' AND g <= 40 THEN g END
FROM inv;
-- sign: customer invoices credit income and tax, debit receivable; vendor bills the opposite
INSERT INTO account_move_line (move_id, partner_id, account_id, name, display_type, quantity, price_unit,
  price_subtotal, price_total, balance, amount_currency, amount_residual, amount_residual_currency, tax_base_amount)
SELECT g, partner, 700000, 'Line ' || k, 'product', 1, p, p, round(p * 1.21, 2),
       s * p, s * p, 0, 0, 0
FROM (SELECT g, partner, CASE WHEN mt = 'out_invoice' THEN -1 ELSE 1 END AS s, k,
             CASE k WHEN 1 THEN p1 WHEN 2 THEN p2 ELSE p3 END AS p FROM inv, generate_series(1, 3) k) x;
INSERT INTO account_move_line (move_id, partner_id, account_id, name, display_type, tax_repartition_line_id, quantity,
  price_unit, price_subtotal, price_total, balance, amount_currency, amount_residual, amount_residual_currency, tax_base_amount)
SELECT g, partner, 451000, 'VAT 21%', 'tax', 1, 0, 0, 0, 0, s * round((p1 + p2 + p3) * 0.21, 2),
       s * round((p1 + p2 + p3) * 0.21, 2), 0, 0, p1 + p2 + p3
FROM (SELECT *, CASE WHEN mt = 'out_invoice' THEN -1 ELSE 1 END AS s FROM inv) x;
INSERT INTO account_move_line (move_id, partner_id, account_id, name, display_type, quantity, price_unit,
  price_subtotal, price_total, balance, amount_currency, amount_residual, amount_residual_currency, tax_base_amount)
SELECT move_id, max(partner_id), 121000, 'MOVE/' || move_id, 'payment_term', 1, 0, 0, 0, -sum(balance), -sum(balance),
       -sum(balance), -sum(balance), 0
FROM account_move_line GROUP BY move_id;
-- payments (entries) for invoices 1..120: full for g % 4 <> 1, partial (a third) otherwise
CREATE TEMP TABLE pay AS
SELECT g + 1000 AS id, l.id AS inv_line, l.move_id, l.partner_id, l.balance AS due,
       CASE WHEN l.move_id % 4 = 1 THEN round(l.balance / 3, 2) ELSE l.balance END AS paid
FROM generate_series(1, 120) g JOIN account_move_line l ON l.move_id = g AND l.display_type = 'payment_term';
INSERT INTO account_move (id, name, move_type, state, partner_id, journal_id)
SELECT id, 'PAY/' || id, 'entry', 'posted', partner_id, 3 FROM pay;
INSERT INTO account_move_line (move_id, partner_id, account_id, name, display_type, balance, amount_currency,
  amount_residual, amount_residual_currency)
SELECT id, partner_id, 121000, 'Payment', 'payment_term', -paid, -paid, 0, 0 FROM pay
UNION ALL
SELECT id, partner_id, 550000, 'Payment', 'product', paid, paid, 0, 0 FROM pay;
INSERT INTO account_partial_reconcile (debit_move_id, credit_move_id, amount, debit_amount_currency, credit_amount_currency)
SELECT CASE WHEN p.due > 0 THEN p.inv_line ELSE l.id END, CASE WHEN p.due > 0 THEN l.id ELSE p.inv_line END,
       abs(p.paid), abs(p.paid), abs(p.paid)
FROM pay p JOIN account_move_line l ON l.move_id = p.id AND l.account_id = 121000;
UPDATE account_move_line l SET amount_residual = l.balance - coalesce((SELECT sum(amount) FROM account_partial_reconcile
    WHERE debit_move_id = l.id), 0) + coalesce((SELECT sum(amount) FROM account_partial_reconcile WHERE credit_move_id = l.id), 0)
WHERE l.account_id = 121000;
UPDATE account_move_line SET amount_residual_currency = amount_residual, reconciled = (amount_residual = 0)
WHERE account_id = 121000;
INSERT INTO account_payment (move_id, amount, partner_id) SELECT id, abs(paid), partner_id FROM pay;
-- 10 vendor entries in yen (0 decimals) on a euro company: amount_currency in JPY, balance in EUR
INSERT INTO account_move (id, name, move_type, state, partner_id, journal_id, currency_id)
SELECT 2000 + g, 'JPY/' || g, 'entry', 'posted', g, 4, 3 FROM generate_series(1, 10) g;
INSERT INTO account_move_line (move_id, partner_id, account_id, name, display_type, currency_id, balance,
  amount_currency, amount_residual, amount_residual_currency)
SELECT 2000 + g, g, 600000, 'Yen expense', 'product', 3, round((g * 1234 + 7) / 161.3, 2), g * 1234 + 7, 0, 0
FROM generate_series(1, 10) g
UNION ALL
SELECT 2000 + g, g, 440000, 'Yen payable', 'product', 3, -round((g * 1234 + 7) / 161.3, 2), -(g * 1234 + 7), 0, 0
FROM generate_series(1, 10) g;
UPDATE account_move_line SET debit = greatest(balance, 0), credit = greatest(-balance, 0);
UPDATE account_move_line l SET journal_id = m.journal_id FROM account_move m WHERE m.id = l.move_id;
-- totals as Odoo computes them
UPDATE account_move m SET
  amount_untaxed = (CASE WHEN m.move_type = 'out_invoice' THEN -1 ELSE 1 END) * t.unt,
  amount_tax = (CASE WHEN m.move_type = 'out_invoice' THEN -1 ELSE 1 END) * t.tax,
  amount_total = (CASE WHEN m.move_type = 'out_invoice' THEN -1 ELSE 1 END) * (t.unt + t.tax),
  amount_residual = -(CASE WHEN m.move_type = 'out_invoice' THEN -1 ELSE 1 END) * t.res,
  amount_untaxed_signed = -t.unt, amount_tax_signed = -t.tax, amount_total_signed = -(t.unt + t.tax),
  amount_total_in_currency_signed = -(t.unt + t.tax), amount_residual_signed = t.res
FROM (SELECT move_id, sum(balance) FILTER (WHERE display_type = 'product') AS unt,
             sum(balance) FILTER (WHERE display_type = 'tax') AS tax,
             sum(amount_residual) FILTER (WHERE display_type = 'payment_term') AS res
      FROM account_move_line GROUP BY move_id) t
WHERE t.move_id = m.id AND m.move_type <> 'entry';
UPDATE account_move m SET amount_total = t.deb, amount_total_signed = t.deb, amount_total_in_currency_signed = t.deb,
  amount_untaxed = 0, amount_tax = 0, amount_residual = 0, amount_untaxed_signed = 0, amount_tax_signed = 0,
  amount_residual_signed = 0
FROM (SELECT move_id, sum(balance) FILTER (WHERE balance > 0) AS deb FROM account_move_line GROUP BY move_id) t
WHERE t.move_id = m.id AND m.move_type = 'entry';

CREATE TABLE account_bank_statement (id serial PRIMARY KEY, name varchar, balance_start numeric, balance_end numeric,
  balance_end_real numeric);
CREATE TABLE account_bank_statement_line (id serial PRIMARY KEY, statement_id int, move_id int, amount numeric,
  amount_currency numeric, currency_id int DEFAULT 1, partner_name varchar, account_number varchar, payment_ref varchar);
INSERT INTO account_bank_statement VALUES (1, 'ST1', 1000.37, NULL, NULL);
INSERT INTO account_bank_statement_line (statement_id, move_id, amount, partner_name, account_number, payment_ref)
SELECT 1, p.id, p.paid, r.name, b.acc_number, 'Payment ' || p.id
FROM pay p JOIN res_partner r ON r.id = p.partner_id LEFT JOIN res_partner_bank b ON b.partner_id = r.id;
UPDATE account_bank_statement SET balance_end = balance_start + (SELECT sum(amount) FROM account_bank_statement_line),
  balance_end_real = balance_start + (SELECT sum(amount) FROM account_bank_statement_line);

CREATE TABLE sale_order (id serial PRIMARY KEY, name varchar, partner_id int, currency_id int DEFAULT 1,
  amount_untaxed numeric, amount_tax numeric, amount_total numeric);
CREATE TABLE sale_order_line (id serial PRIMARY KEY, order_id int, currency_id int DEFAULT 1, price_unit numeric,
  product_uom_qty numeric, price_subtotal numeric, price_tax numeric, price_total numeric);
INSERT INTO sale_order (name, partner_id) SELECT 'S' || lpad(g::text, 5, '0'), g FROM generate_series(1, 50) g;
INSERT INTO sale_order_line (order_id, price_unit, product_uom_qty, price_subtotal, price_tax, price_total)
SELECT o, p, 1, p, round(p * 0.21, 2), p + round(p * 0.21, 2)
FROM (SELECT o, k, round(5 + (o * k * 31 % 700) + (o * 7 % 100) / 100.0, 2) AS p
      FROM generate_series(1, 50) o, generate_series(1, 3) k) x;
UPDATE sale_order s SET amount_untaxed = t.u, amount_tax = t.t, amount_total = t.tt
FROM (SELECT order_id, sum(price_subtotal) u, sum(price_tax) t, sum(price_total) tt FROM sale_order_line GROUP BY 1) t
WHERE t.order_id = s.id;

CREATE TABLE ir_attachment (id serial PRIMARY KEY, name varchar NOT NULL, res_model varchar, res_id int,
  res_field varchar, type varchar DEFAULT 'binary', store_fname varchar, checksum varchar(40), mimetype varchar,
  file_size int, db_datas bytea, index_content text, description text, public boolean DEFAULT false);

-- a translated field (jsonb, as Odoo 16+ stores them)
CREATE TABLE hr_job (id serial PRIMARY KEY, name jsonb NOT NULL);
INSERT INTO hr_job (name) VALUES ('{"en_US": "Assistant of Hyacinth Snodgrass-1", "fr_BE": "Assistante de Hyacinth Snodgrass-1"}');

-- Odoo's foreign keys between these tables (a second update of a row in one transaction re-checks them all)
ALTER TABLE account_move_line ADD FOREIGN KEY (move_id) REFERENCES account_move (id) ON DELETE CASCADE,
  ADD FOREIGN KEY (partner_id) REFERENCES res_partner (id), ADD FOREIGN KEY (journal_id) REFERENCES account_journal (id),
  ADD FOREIGN KEY (currency_id) REFERENCES res_currency (id), ADD FOREIGN KEY (company_currency_id) REFERENCES res_currency (id);
ALTER TABLE account_move ADD FOREIGN KEY (partner_id) REFERENCES res_partner (id),
  ADD FOREIGN KEY (journal_id) REFERENCES account_journal (id), ADD FOREIGN KEY (currency_id) REFERENCES res_currency (id);
ALTER TABLE account_partial_reconcile ADD FOREIGN KEY (debit_move_id) REFERENCES account_move_line (id),
  ADD FOREIGN KEY (credit_move_id) REFERENCES account_move_line (id);
ALTER TABLE res_users ADD FOREIGN KEY (partner_id) REFERENCES res_partner (id);
ALTER TABLE res_partner_bank ADD FOREIGN KEY (partner_id) REFERENCES res_partner (id);
