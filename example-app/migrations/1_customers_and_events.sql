CREATE TABLE customers (
    id BIGINT PRIMARY KEY,
    name VARCHAR NOT NULL,
    country VARCHAR NOT NULL,
    signed_up DATE NOT NULL
);

CREATE TABLE events (
    id BIGINT PRIMARY KEY,
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    kind VARCHAR NOT NULL CHECK (kind IN ('view', 'cart', 'purchase')),
    amount_cents BIGINT,
    occurred_at TIMESTAMP NOT NULL
);
