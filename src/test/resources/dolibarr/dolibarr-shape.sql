-- A Dolibarr-shaped database (the tables odoo-ops reads or that a Dolibarr writes all the time), after
-- Dolibarr's own install/pgsql/tables/*.sql: settings, users, third parties, invoices, the ECM file index,
-- cron jobs and the security event log.
create table llx_const (
    rowid serial primary key,
    name varchar(180) not null,
    entity integer default 1 not null,
    value text not null,
    type varchar(64) default 'string',
    visible smallint default 1 not null,
    note text,
    tms timestamp default now(),
    unique (name, entity)
);
create table llx_user (
    rowid serial primary key,
    entity integer default 1 not null,
    login varchar(50) not null,
    pass_crypted varchar(128),
    lastname varchar(50),
    firstname varchar(50),
    email varchar(255),
    admin smallint default 0,
    datelastlogin timestamp,
    datepreviouslogin timestamp,
    tms timestamp default now()
);
create table llx_societe (
    rowid serial primary key,
    nom varchar(128),
    entity integer default 1 not null,
    client smallint default 0,
    fournisseur smallint default 0,
    email varchar(128),
    town varchar(50),
    tms timestamp default now()
);
create table llx_facture (
    rowid serial primary key,
    ref varchar(30) not null,
    entity integer default 1 not null,
    fk_soc integer not null references llx_societe(rowid),
    datef date,
    total_ttc numeric(24, 8) default 0,
    fk_statut smallint default 0,
    last_main_doc varchar(255),
    tms timestamp default now()
);
create table llx_ecm_files (
    rowid serial primary key,
    ref varchar(128),
    label varchar(128) not null,
    share varchar(128),
    entity integer default 1 not null,
    filepath varchar(255) not null,
    filename varchar(255) not null,
    src_object_type varchar(64),
    src_object_id integer,
    gen_or_uploaded varchar(12),
    date_c timestamp,
    tms timestamp default now()
);
create table llx_cronjob (
    rowid serial primary key,
    label varchar(255) not null,
    jobtype varchar(10) not null,
    datelastrun timestamp,
    datenextrun timestamp,
    lastresult varchar(30),
    lastoutput text,
    processing integer default 0,
    tms timestamp default now()
);
create table llx_events (
    rowid serial primary key,
    type varchar(32) not null,
    entity integer default 1 not null,
    dateevent timestamp,
    ip varchar(250),
    description varchar(250) not null
);
