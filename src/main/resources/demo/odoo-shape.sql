-- An Odoo-shaped database: the ir_* and res_* tables (and account_move) that odoo-ops touches, with the
-- columns Odoo 17 uses for them. Data volume is set by the :partners / :attachments placeholders.
create table res_company (id serial primary key, name varchar not null, email varchar, phone varchar);
create table res_partner (id serial primary key, name varchar, email varchar, phone varchar, street varchar,
                          city varchar, company_id int references res_company(id), active boolean default true,
                          create_date timestamp default now(), write_date timestamp default now());
create table res_users (id serial primary key, login varchar not null unique, password varchar,
                        partner_id int references res_partner(id), company_id int references res_company(id),
                        active boolean default true, totp_secret varchar);
create table ir_module_module (id serial primary key, name varchar not null unique, state varchar not null,
                               latest_version varchar, author varchar, shortdesc varchar);
create table ir_model_data (id serial primary key, module varchar not null, name varchar not null,
                            model varchar not null, res_id int, noupdate boolean default false);
create table ir_attachment (id serial primary key, name varchar not null, res_model varchar, res_id int,
                            type varchar default 'binary', store_fname varchar, file_size int, checksum varchar(40),
                            mimetype varchar, create_date timestamp default now());
create table ir_config_parameter (id serial primary key, key varchar not null unique, value text);
create table ir_cron (id serial primary key, cron_name varchar, active boolean default true,
                      interval_number int, interval_type varchar, nextcall timestamp default now());
create table ir_mail_server (id serial primary key, name varchar, smtp_host varchar, smtp_port int,
                             smtp_user varchar, smtp_pass varchar, active boolean default true);
create table account_move (id serial primary key, name varchar, partner_id int references res_partner(id),
                           amount_total numeric(16, 2), state varchar, date date, move_type varchar);
