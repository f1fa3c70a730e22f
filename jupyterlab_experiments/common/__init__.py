"""Pure helpers both the logging client and the server use.

Standard library only and free of IO, so either side may import them: the
client in every kernel (where ``import jupyterlab_experiments`` must stay fast),
the server without importing the client.
"""
