-- Engagement facts are written only by the import merge, which finds each fact's content item by joining the staged
-- rows with content_items, and by the demo loader; content items and imports are never deleted. The two foreign keys
-- were checked row by row on every import and took half of the time of writing the facts, so they go; the primary
-- key (one fact per item and day) stays.
ALTER TABLE engagement_facts DROP CONSTRAINT engagement_facts_content_item_id_fkey;
ALTER TABLE engagement_facts DROP CONSTRAINT engagement_facts_import_id_fkey;
