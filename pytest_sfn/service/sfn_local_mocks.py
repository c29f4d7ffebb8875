"""The Step Functions Local mock configuration, as the local service uses it.

The reader lives in :mod:`pytest_sfn.mocks.sfn_local`; this module keeps the names the
service (``local_client(mock_config=...)``) has always imported.
"""

from __future__ import annotations

from pytest_sfn.mocks.sfn_local import MockedResponse, SfnLocalConfig, SfnLocalTestCase
from pytest_sfn.mocks.sfn_local import load_sfn_local_config as load_mock_config

__all__ = ["MockConfig", "MockedResponse", "TestCase", "load_mock_config"]

#: A validated mock configuration (``MockConfig.test_case(machine, case).handler(fallback)``).
MockConfig = SfnLocalConfig
#: One test case: a :class:`~pytest_sfn.mocks.MockSet` with ``handler(fallback)``.
TestCase = SfnLocalTestCase
