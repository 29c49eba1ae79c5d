DROP TABLE mark_sightings;
