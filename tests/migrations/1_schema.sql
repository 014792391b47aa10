CREATE TYPE mood AS ENUM ('happy', 'sad', 'meh');

CREATE TABLE users (
    id BIGINT PRIMARY KEY,
    name VARCHAR NOT NULL,
    email VARCHAR,
    mood mood,
    joined DATE NOT NULL DEFAULT DATE '2024-01-01'
);

CREATE TABLE posts (
    id BIGINT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    title VARCHAR NOT NULL,
    body VARCHAR,
    score DOUBLE NOT NULL DEFAULT 0,
    price DECIMAL(10, 2),
    tags VARCHAR[]
);
