-- Placeholder: migration number 0008 belongs to branch sec-db (per-component logins). This file
-- only keeps the numbering without gaps on branch resilience; it is deleted when both are merged.
SELECT 1;
