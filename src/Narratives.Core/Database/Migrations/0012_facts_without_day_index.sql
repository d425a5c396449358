-- Writing the daily facts is the longest step of a big import: one heap row and one entry in each index per fact, in
-- the import's transaction. The BRIN index on the day was kept up to date on every row for almost nothing in return:
-- imports write each item's whole series together, so every range of pages in a month's partition holds nearly every
-- day of the month and the index could rule out almost none of them. The monthly partitions and the primary key
-- (item, day) are what the rollup refresh and the analytics use. The index took about a tenth of the time of writing
-- the facts. The primary key and the checks stay.
DROP INDEX engagement_facts_day;
