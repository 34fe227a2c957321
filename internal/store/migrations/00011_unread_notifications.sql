-- +goose Up
-- The header of every signed-in page counts the user's unread notifications. With only
-- the (user_id, id) index that count reads all of the user's notifications, and staff
-- collect one per reminder and overdue notice for years; this index holds the unread
-- ones only.
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

-- +goose Down
DROP INDEX notifications_unread;
