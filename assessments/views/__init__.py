"""The framework pages (issue 3), one module per screen: rounds, the framework editor, the workbook."""
