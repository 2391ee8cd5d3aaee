"""Personal data (GDPR): a person's export (Art. 15/20) and the erasure of their account
(Art. 17), shared by the web pages and the API."""
