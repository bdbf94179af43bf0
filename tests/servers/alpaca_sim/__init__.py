"""alpaca_sim - the simulated Alpaca account behind tests/servers/fake_alpaca.py:
the order book and its rules, order listings, the market clock and the
matching of a day's prices (standard library only; fake_alpaca.py documents
the behaviour)."""
