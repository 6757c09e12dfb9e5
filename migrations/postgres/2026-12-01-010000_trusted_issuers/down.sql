DROP INDEX users_email;
DROP TABLE trusted_issuers;
