"""The embeddable help widget: a script for the brand's pages, and the panel it opens.

The script (widget.js) adds a launcher to the host page and, when it is opened, an
iframe of the panel: our own pages, so a member's session, CSRF and the site's
rules stay ours. Only the origins editors list (EmbedSettings) may frame the panel,
and each side of the postMessage conversation checks the other's origin.
"""
