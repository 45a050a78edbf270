-- The fake generators of the anonymisation (postgres.Anonymizer), created per session in pg_temp: nothing of them
-- stays in the database or its dump. Each is a function of md5(salt | kind | lower(trim(value))), the salt read from
-- the transaction-local setting odoo_ops.anon_salt. PL/pgSQL (self-contained, no nested calls): several times faster
-- per row than SQL functions that the planner cannot inline. Statements are separated by lines holding only ";;".
CREATE OR REPLACE FUNCTION pg_temp.anon_name(v text) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
  h text := md5(current_setting('odoo_ops.anon_salt') || '|name|' || lower(btrim(v)));
BEGIN
  RETURN (ARRAY[
    'Alice','Adrian','Beatrice','Benjamin','Camille','Carlos','Daphne','Daniel','Elena','Elliot','Fatima',
    'Felix','Giulia','Gabriel','Hanna','Henrik','Isabel','Ivan','Julia','Jonas','Kateryna','Kevin','Laura',
    'Lukas','Maya','Mateo','Nadia','Nils','Olivia','Oscar','Paula','Pavel','Rania','Ruben','Sofia','Simon',
    'Teresa','Tomas','Ursula','Victor','Wendy','William','Yasmin','Yusuf','Zoe','Zeno','Amira','Bruno',
    'Clara','Dmitri','Eva','Frank','Greta','Hugo','Ines','Jasper','Lea','Marco','Nora','Pedro','Rosa','Sven',
    'Tara','Vera'])[1 + (('x' || substr(h, 1, 8))::bit(32)::bigint % 64)::int]
    || ' ' || (ARRAY[
    'Andersen','Baker','Costa','Dumont','Eriksen','Fischer','Garnier','Hansen','Ibrahim','Jensen','Keller',
    'Lambrecht','Moreau','Nielsen','Olsen','Perrin','Quist','Richter','Santos','Thomsen','Urban','Vasquez',
    'Weber','Young','Zimmermann','Adler','Berger','Carvalho','Delacroix','Engel','Ferreira','Gomez',
    'Hartmann','Iversen','Jovanovic','Kowalski','Larsen','Meyer','Novak','Ortega','Peters','Ramos','Schulz',
    'Torres','Valentin','Wagner','Bauer','Castillo','Dubois','Evans','Fontaine','Gallo','Horvat','Kaiser',
    'Lindqvist','Marin','Navarro','Pohl','Reyes','Silva','Vogel','Wolff','Brandt','Mercier'])[1 + (('x' || substr(h, 9, 8))::bit(32)::bigint % 64)::int];
END $$
;;
CREATE OR REPLACE FUNCTION pg_temp.anon_email(v text) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
  h text := md5(current_setting('odoo_ops.anon_salt') || '|email|' || lower(btrim(coalesce(substring(v from '<([^<>]+)>'), v))));
BEGIN
  RETURN lower((ARRAY[
    'Alice','Adrian','Beatrice','Benjamin','Camille','Carlos','Daphne','Daniel','Elena','Elliot','Fatima',
    'Felix','Giulia','Gabriel','Hanna','Henrik','Isabel','Ivan','Julia','Jonas','Kateryna','Kevin','Laura',
    'Lukas','Maya','Mateo','Nadia','Nils','Olivia','Oscar','Paula','Pavel','Rania','Ruben','Sofia','Simon',
    'Teresa','Tomas','Ursula','Victor','Wendy','William','Yasmin','Yusuf','Zoe','Zeno','Amira','Bruno',
    'Clara','Dmitri','Eva','Frank','Greta','Hugo','Ines','Jasper','Lea','Marco','Nora','Pedro','Rosa','Sven',
    'Tara','Vera'])[1 + (('x' || substr(h, 1, 8))::bit(32)::bigint % 64)::int])
    || '.' || lower((ARRAY[
    'Andersen','Baker','Costa','Dumont','Eriksen','Fischer','Garnier','Hansen','Ibrahim','Jensen','Keller',
    'Lambrecht','Moreau','Nielsen','Olsen','Perrin','Quist','Richter','Santos','Thomsen','Urban','Vasquez',
    'Weber','Young','Zimmermann','Adler','Berger','Carvalho','Delacroix','Engel','Ferreira','Gomez',
    'Hartmann','Iversen','Jovanovic','Kowalski','Larsen','Meyer','Novak','Ortega','Peters','Ramos','Schulz',
    'Torres','Valentin','Wagner','Bauer','Castillo','Dubois','Evans','Fontaine','Gallo','Horvat','Kaiser',
    'Lindqvist','Marin','Navarro','Pohl','Reyes','Silva','Vogel','Wolff','Brandt','Mercier'])[1 + (('x' || substr(h, 9, 8))::bit(32)::bigint % 64)::int])
    || '.' || substr(h, 17, 10) || '@example.invalid';
END $$
;;
CREATE OR REPLACE FUNCTION pg_temp.anon_email_list(v text) RETURNS text LANGUAGE sql STABLE AS
$$SELECT string_agg(pg_temp.anon_email(x), ',' ORDER BY o)
  FROM regexp_split_to_table(v, '[,;]') WITH ORDINALITY AS t(x, o) WHERE btrim(x) <> ''$$
;;
CREATE OR REPLACE FUNCTION pg_temp.anon_phone(v text) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
  h text := md5(current_setting('odoo_ops.anon_salt') || '|phone|' || lower(btrim(regexp_replace(v, '[^0-9]', '', 'g'))));
BEGIN
  RETURN '+3247' || lpad((('x' || substr(h, 1, 8))::bit(32)::bigint % 10000000)::text, 7, '0');
END $$
;;
CREATE OR REPLACE FUNCTION pg_temp.anon_street(v text) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
  h text := md5(current_setting('odoo_ops.anon_salt') || '|street|' || lower(btrim(v)));
BEGIN
  RETURN (('x' || substr(h, 1, 8))::bit(32)::bigint % 180 + 1)::text || ' ' || (ARRAY[
    'Maple Lane','Station Road','Church Street','Mill Road','Park Avenue','High Street','Lake View',
    'Orchard Way','River Road','Hill Street','Market Square','Garden Close','Chestnut Avenue','Harbour Road',
    'Meadow Lane','Willow Drive'])[1 + (('x' || substr(h, 9, 8))::bit(32)::bigint % 16)::int];
END $$
;;
CREATE OR REPLACE FUNCTION pg_temp.anon_street2(v text) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
  h text := md5(current_setting('odoo_ops.anon_salt') || '|street2|' || lower(btrim(v)));
BEGIN
  RETURN 'Box ' || (('x' || substr(h, 1, 8))::bit(32)::bigint % 90 + 1)::text;
END $$
;;
CREATE OR REPLACE FUNCTION pg_temp.anon_zip(v text) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
  h text := md5(current_setting('odoo_ops.anon_salt') || '|zip|' || lower(btrim(v)));
BEGIN
  RETURN (('x' || substr(h, 1, 8))::bit(32)::bigint % 90000 + 10000)::text;
END $$
;;
CREATE OR REPLACE FUNCTION pg_temp.anon_city(v text) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
  h text := md5(current_setting('odoo_ops.anon_salt') || '|city|' || lower(btrim(v)));
BEGIN
  RETURN (ARRAY[
    'Springfield','Riverton','Lakewood','Fairview','Greenville','Kingsport','Milford','Oakridge','Brookfield',
    'Ashford','Westbury','Northwood','Eastham','Southgate','Clearwater','Stonebridge'])[1 + (('x' || substr(h, 1, 8))::bit(32)::bigint % 16)::int];
END $$
;;
CREATE OR REPLACE FUNCTION pg_temp.anon_vat(v text) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
  h text := md5(current_setting('odoo_ops.anon_salt') || '|vat|' || lower(btrim(regexp_replace(v, '[^A-Za-z0-9]', '', 'g'))));
BEGIN
  RETURN 'XX' || lpad((('x' || substr(h, 1, 8))::bit(32)::bigint % 100000)::text, 5, '0') || lpad((('x' || substr(h, 9, 8))::bit(32)::bigint % 100000)::text, 5, '0');
END $$
;;
CREATE OR REPLACE FUNCTION pg_temp.anon_iban(v text) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
  h text := md5(current_setting('odoo_ops.anon_salt') || '|iban|' || lower(btrim(regexp_replace(v, '[^A-Za-z0-9]', '', 'g'))));
BEGIN
  RETURN 'XX00ANON' || lpad((('x' || substr(h, 1, 8))::bit(32)::bigint % 100000000)::text, 8, '0') || lpad((('x' || substr(h, 9, 8))::bit(32)::bigint % 100000000)::text, 8, '0');
END $$
;;
CREATE OR REPLACE FUNCTION pg_temp.anon_login(v text) RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF position('@' in v) > 0 THEN
    RETURN pg_temp.anon_email(v);
  END IF;
  RETURN 'user.' || substr(md5(current_setting('odoo_ops.anon_salt') || '|login|' || lower(btrim(v))), 1, 12);
END $$
;;
CREATE OR REPLACE FUNCTION pg_temp.anon_website(v text) RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN 'https://www.' || substr(md5(current_setting('odoo_ops.anon_salt') || '|website|' || lower(btrim(v))), 1, 10) || '.example.invalid';
END $$
