import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True)
def _one_thread():
    # the boosting's OpenMP threads fight over the 2 shared cores (80x slower than one thread
    # when the machine is loaded); results do not depend on the number of threads
    with threadpool_limits(limits=1):
        yield
