-- Country (and Comtrade aggregate) names by code.
SELECT code, name
FROM ref_countries;
