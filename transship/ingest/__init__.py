"""Getting shipment records and trade statistics into the store without losing a row."""
