"""FAQ content, jieba dictionaries, the matcher and the Fujian gazetteer (no imports of bot or complaints)."""
