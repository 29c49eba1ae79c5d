DROP TABLE pinyin_keys;
