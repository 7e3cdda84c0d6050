"""The framework pages, one module per screen: rounds, the framework editor, the workbook."""
