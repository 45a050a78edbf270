-- Legal hold: a pin may say why (pin_reason) and until when (pinned_until; null: until unpinned). Retention keeps a
-- pinned artifact only while its hold has not expired.
alter table ops.artifacts add column pin_reason text;
alter table ops.artifacts add column pinned_until timestamptz;
