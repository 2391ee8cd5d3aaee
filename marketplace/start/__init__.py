"""The signed-in person's start page: what waits for them, what is new, their organisation's figures."""
