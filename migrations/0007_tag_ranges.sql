-- Each measurement's instrument range (OPC UA EURange) and each binary state's two texts
-- (TrueState / FalseState), French and English.
ALTER TABLE tags ADD COLUMN range_low REAL;
ALTER TABLE tags ADD COLUMN range_high REAL;
ALTER TABLE tags ADD COLUMN true_fr TEXT;
ALTER TABLE tags ADD COLUMN false_fr TEXT;
ALTER TABLE tags ADD COLUMN true_en TEXT;
ALTER TABLE tags ADD COLUMN false_en TEXT;
