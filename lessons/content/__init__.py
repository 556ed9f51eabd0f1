"""The content model: the document pages and their attachment rows (pages.py), the taxonomy
snippets (taxonomy.py), StreamField blocks, the page editor form and the taxonomy seeding."""
