-- The narrative classifier (issue 6). Forward-only; needs nothing beyond 0001.

-- Ingest queues an item for classification by leaving predicted_at NULL; the classification job reads this index.
CREATE INDEX content_items_awaiting_classification ON content_items (id) WHERE predicted_at IS NULL;

-- The review queue: classified, not yet reviewed, lowest confidence first.
CREATE INDEX content_items_review_queue ON content_items (predicted_theme_confidence, id)
    WHERE predicted_at IS NOT NULL AND reviewed_at IS NULL;

-- Predicted audiences and their confidences go together.
ALTER TABLE content_items ADD CONSTRAINT content_items_predicted_audiences_match
    CHECK (coalesce(cardinality(predicted_audiences), 0) = coalesce(cardinality(predicted_audience_confidences), 0));

-- Version history per task, newest first.
CREATE INDEX model_versions_history ON model_versions (task, created_at DESC);

-- The labels every chart uses: what a person set when someone has reviewed the item, else the classifier's prediction.
CREATE VIEW content_item_labels AS
SELECT id AS content_item_id,
       coalesce(reviewed_theme, predicted_theme)         AS theme,
       coalesce(reviewed_audiences, predicted_audiences) AS audiences,
       reviewed_at IS NOT NULL                           AS reviewed
FROM content_items;
