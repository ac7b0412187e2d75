-- The story's catalogue: 3 artists and 15 tracks. Works at any revision.
-- Load it with:  sqlite3 music.db < seed.sql
INSERT INTO artist (id, name) VALUES
  (1, 'Nina Simone'),
  (2, 'Miles Davis'),
  (3, 'Ella Fitzgerald');

INSERT INTO track (id, title, artist_id) VALUES
  (1,  'Feeling Good', 1),
  (2,  'Sinnerman', 1),
  (3,  'My Baby Just Cares for Me', 1),
  (4,  'I Put a Spell on You', 1),
  (5,  'Wild Is the Wind', 1),
  (6,  'So What', 2),
  (7,  'Freddie Freeloader', 2),
  (8,  'Blue in Green', 2),
  (9,  'All Blues', 2),
  (10, 'Flamenco Sketches', 2),
  (11, 'Summertime', 3),
  (12, 'Dream a Little Dream of Me', 3),
  (13, 'Cheek to Cheek', 3),
  (14, 'Mack the Knife', 3),
  (15, 'Misty', 3);
