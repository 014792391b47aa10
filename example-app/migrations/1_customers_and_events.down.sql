DROP TABLE events;
DROP TABLE customers;
