"""An httpbin-like HTTP/1.1 server on a loopback address, for the axios-python demo and tests.

It is a distribution of its own so that a production install of ``axios-python`` carries no
server: ``pip install "axios-python[cli]"`` brings it for ``axios-python demo``, and plugin
authors add it to their test dependencies. Only the standard library is used.

Usage::

    from axios_python_testserver import LocalServer

    with LocalServer() as server:  # 127.0.0.1, a free port
        print(server.url)

The endpoints are listed in the docstring of :mod:`axios_python_testserver._server`.
"""

from ._server import LocalServer
from ._version import __version__

__all__ = ["LocalServer", "__version__"]
