-- Service mode's inbox folder: camel-file's idempotent read lock keeps its claims here, so that several serve
-- instances watching one shared inbox directory handle each file once (camel-sql JdbcMessageIdRepository's
-- table, in the ops schema). A request's own exactly-once is its request_id (V6).
create table ops.camel_messageprocessed (
    processorName varchar(255) not null,
    messageId     varchar(100) not null,
    createdAt     timestamp    not null,
    primary key (processorName, messageId)
);
