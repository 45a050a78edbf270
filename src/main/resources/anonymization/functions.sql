-- The fake generators of the anonymisation (postgres.Anonymizer), created per session in pg_temp: nothing of them
-- stays in the database or its dump. The salt is read from the transaction-local setting odoo_ops.anon_salt.
-- Statements are separated by lines holding only ";;".
CREATE FUNCTION pg_temp.anon_h(kind text, v text) RETURNS text LANGUAGE sql STABLE AS
$$SELECT md5(current_setting('odoo_ops.anon_salt') || '|' || kind || '|' || lower(btrim(v)))$$
;;
CREATE FUNCTION pg_temp.anon_i(h text, pos int) RETURNS bigint LANGUAGE sql IMMUTABLE AS
$$SELECT ('x' || substr(h, pos, 8))::bit(32)::bigint$$
;;
CREATE FUNCTION pg_temp.anon_pick(a text[], i bigint) RETURNS text LANGUAGE sql IMMUTABLE AS
$$SELECT a[1 + (i % array_length(a, 1))::int]$$
;;
CREATE FUNCTION pg_temp.anon_first(i bigint) RETURNS text LANGUAGE sql IMMUTABLE AS
$$SELECT pg_temp.anon_pick(ARRAY['Alice','Adrian','Beatrice','Benjamin','Camille','Carlos','Daphne','Daniel',
  'Elena','Elliot','Fatima','Felix','Giulia','Gabriel','Hanna','Henrik','Isabel','Ivan','Julia','Jonas','Kateryna',
  'Kevin','Laura','Lukas','Maya','Mateo','Nadia','Nils','Olivia','Oscar','Paula','Pavel','Rania','Ruben','Sofia',
  'Simon','Teresa','Tomas','Ursula','Victor','Wendy','William','Yasmin','Yusuf','Zoe','Zeno','Amira','Bruno',
  'Clara','Dmitri','Eva','Frank','Greta','Hugo','Ines','Jasper','Lea','Marco','Nora','Pedro','Rosa','Sven',
  'Tara','Vera'], i)$$
;;
CREATE FUNCTION pg_temp.anon_last(i bigint) RETURNS text LANGUAGE sql IMMUTABLE AS
$$SELECT pg_temp.anon_pick(ARRAY['Andersen','Baker','Costa','Dumont','Eriksen','Fischer','Garnier','Hansen',
  'Ibrahim','Jensen','Keller','Lambrecht','Moreau','Nielsen','Olsen','Perrin','Quist','Richter','Santos','Thomsen',
  'Urban','Vasquez','Weber','Young','Zimmermann','Adler','Berger','Carvalho','Delacroix','Engel','Ferreira',
  'Gomez','Hartmann','Iversen','Jovanovic','Kowalski','Larsen','Meyer','Novak','Ortega','Peters','Ramos','Schulz',
  'Torres','Valentin','Wagner','Bauer','Castillo','Dubois','Evans','Fontaine','Gallo','Horvat','Kaiser','Lindqvist',
  'Marin','Navarro','Pohl','Reyes','Silva','Vogel','Wolff','Brandt','Mercier'], i)$$
;;
CREATE FUNCTION pg_temp.anon_name(v text) RETURNS text LANGUAGE sql STABLE AS
$$SELECT pg_temp.anon_first(pg_temp.anon_i(h, 1)) || ' ' || pg_temp.anon_last(pg_temp.anon_i(h, 9))
  FROM (SELECT pg_temp.anon_h('name', v) AS h) s$$
;;
CREATE FUNCTION pg_temp.anon_email(v text) RETURNS text LANGUAGE sql STABLE AS
$$SELECT lower(pg_temp.anon_first(pg_temp.anon_i(h, 1))) || '.' || lower(pg_temp.anon_last(pg_temp.anon_i(h, 9)))
         || '.' || substr(h, 17, 10) || '@example.invalid'
  FROM (SELECT pg_temp.anon_h('email', coalesce(substring(v from '<([^<>]+)>'), v)) AS h) s$$
;;
CREATE FUNCTION pg_temp.anon_email_list(v text) RETURNS text LANGUAGE sql STABLE AS
$$SELECT string_agg(pg_temp.anon_email(x), ',' ORDER BY o)
  FROM regexp_split_to_table(v, '[,;]') WITH ORDINALITY AS t(x, o) WHERE btrim(x) <> ''$$
;;
CREATE FUNCTION pg_temp.anon_phone(v text) RETURNS text LANGUAGE sql STABLE AS
$$SELECT '+3247' || lpad((pg_temp.anon_i(pg_temp.anon_h('phone', regexp_replace(v, '[^0-9]', '', 'g')), 1)
  % 10000000)::text, 7, '0')$$
;;
CREATE FUNCTION pg_temp.anon_street(v text) RETURNS text LANGUAGE sql STABLE AS
$$SELECT (pg_temp.anon_i(h, 1) % 180 + 1)::text || ' ' || pg_temp.anon_pick(ARRAY['Maple Lane','Station Road',
  'Church Street','Mill Road','Park Avenue','High Street','Lake View','Orchard Way','River Road','Hill Street',
  'Market Square','Garden Close','Chestnut Avenue','Harbour Road','Meadow Lane','Willow Drive'], pg_temp.anon_i(h, 9))
  FROM (SELECT pg_temp.anon_h('street', v) AS h) s$$
;;
CREATE FUNCTION pg_temp.anon_street2(v text) RETURNS text LANGUAGE sql STABLE AS
$$SELECT 'Box ' || (pg_temp.anon_i(pg_temp.anon_h('street2', v), 1) % 90 + 1)::text$$
;;
CREATE FUNCTION pg_temp.anon_zip(v text) RETURNS text LANGUAGE sql STABLE AS
$$SELECT (pg_temp.anon_i(pg_temp.anon_h('zip', v), 1) % 90000 + 10000)::text$$
;;
CREATE FUNCTION pg_temp.anon_city(v text) RETURNS text LANGUAGE sql STABLE AS
$$SELECT pg_temp.anon_pick(ARRAY['Springfield','Riverton','Lakewood','Fairview','Greenville','Kingsport','Milford',
  'Oakridge','Brookfield','Ashford','Westbury','Northwood','Eastham','Southgate','Clearwater','Stonebridge'],
  pg_temp.anon_i(pg_temp.anon_h('city', v), 1))$$
;;
CREATE FUNCTION pg_temp.anon_vat(v text) RETURNS text LANGUAGE sql STABLE AS
$$SELECT 'XX' || lpad((pg_temp.anon_i(h, 1) % 100000)::text, 5, '0') || lpad((pg_temp.anon_i(h, 9) % 100000)::text, 5, '0')
  FROM (SELECT pg_temp.anon_h('vat', regexp_replace(v, '[^A-Za-z0-9]', '', 'g')) AS h) s$$
;;
CREATE FUNCTION pg_temp.anon_iban(v text) RETURNS text LANGUAGE sql STABLE AS
$$SELECT 'XX00ANON' || lpad((pg_temp.anon_i(h, 1) % 100000000)::text, 8, '0')
         || lpad((pg_temp.anon_i(h, 9) % 100000000)::text, 8, '0')
  FROM (SELECT pg_temp.anon_h('iban', regexp_replace(v, '[^A-Za-z0-9]', '', 'g')) AS h) s$$
;;
CREATE FUNCTION pg_temp.anon_login(v text) RETURNS text LANGUAGE sql STABLE AS
$$SELECT CASE WHEN position('@' in v) > 0 THEN pg_temp.anon_email(v)
              ELSE 'user.' || substr(pg_temp.anon_h('login', v), 1, 12) END$$
;;
CREATE FUNCTION pg_temp.anon_website(v text) RETURNS text LANGUAGE sql STABLE AS
$$SELECT 'https://www.' || substr(pg_temp.anon_h('website', v), 1, 10) || '.example.invalid'$$
