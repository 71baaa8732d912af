"""The example plugin passes the plugin contract, on every installed transport, sync and async."""

from axios_python_hello import HelloPlugin

from axios_python.testing import PluginContract


class TestHelloContract(PluginContract):
    def make_plugin(self) -> HelloPlugin:
        return HelloPlugin(greeting="hi")
