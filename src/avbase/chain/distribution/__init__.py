"""Distribution: titles, release windows per channel and territory, contracts as data."""
