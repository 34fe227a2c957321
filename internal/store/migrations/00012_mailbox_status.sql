-- +goose Up
-- Deactivation (mailbox.Server.Deactivate: an owner who has left) is told apart from a
-- lock: both clear mailboxes.active, which Dovecot and Postfix test, and deactivated_at
-- says which of the two it was.
ALTER TABLE mailboxes ADD COLUMN deactivated_at {{TIME}};

-- Who each mailbox on a server without a place for notes (cPanel) was made for
-- ("request:<id>"): the mark the other drivers keep on the server itself (the owner
-- column above, Zimbra's zimbraNotes), so a create repeated after a crash recognises its
-- own mailbox instead of taking over a stranger's.
CREATE TABLE mail_owners (
    address TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    created_at {{TIME}} NOT NULL
);

-- +goose Down
DROP TABLE mail_owners;
ALTER TABLE mailboxes DROP COLUMN deactivated_at;
