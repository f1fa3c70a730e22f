"""The Jupyter server side: the extension (``extension.load``) and its REST handlers."""
