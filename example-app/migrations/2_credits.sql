CREATE TABLE credits (
    customer_id BIGINT PRIMARY KEY REFERENCES customers (id),
    balance_cents BIGINT NOT NULL CHECK (balance_cents >= 0)
);
