"""Development tooling, never installed in production: the local single-node Elasticsearch
(localnode/) and its `manage.py elasticsearch` command. A Django app listed in
INSTALLED_APPS by the dev and test settings only, and left out of the installed package
(pyproject.toml packages.find), so nothing in portal, lessons or search can import it."""
