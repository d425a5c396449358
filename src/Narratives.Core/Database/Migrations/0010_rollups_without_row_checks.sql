-- The monthly content rollup is derived data, written only by RollupStore from the facts joined with their content
-- items (and rebuilt from its view); content items and campaigns are never deleted. Its two foreign keys were checked
-- row by row, tens of thousands of rows per big import, inside the import's transaction, so they go (as the facts'
-- went in 0007). The primary key stays.
ALTER TABLE rollup_content_monthly DROP CONSTRAINT rollup_content_monthly_content_item_id_fkey;
ALTER TABLE rollup_content_monthly DROP CONSTRAINT rollup_content_monthly_campaign_id_fkey;
