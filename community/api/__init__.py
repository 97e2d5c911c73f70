"""The public REST API, version 1 (/api/v1/): the community's public data to read,
and, with a member's credential, the same writes as the site, through the same
services. Built on Django REST framework; its OpenAPI 3 schema is generated from
these views by drf-spectacular and served at /api/v1/schema/."""
