"""The project plan: contracts loaded with every rule, and each table's checks compiled once."""
