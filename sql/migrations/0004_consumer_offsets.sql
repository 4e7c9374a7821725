-- Kafka offsets owned by PostgreSQL: written in the same transaction as the rows they cover,
-- so after any crash the stored offset and the landed rows agree. next_offset is the offset of
-- the next record to process (Kafka's committed-offset convention).
CREATE TABLE consumer_offsets (
  consumer_group  text NOT NULL,
  topic           text NOT NULL,
  partition       integer NOT NULL CHECK (partition >= 0),
  next_offset     bigint NOT NULL CHECK (next_offset >= 0),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer_group, topic, partition)
);

GRANT INSERT, UPDATE ON consumer_offsets TO sretl_writer;
