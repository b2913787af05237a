from .connect_strategy import (ConnectionClient, ConnectionResult,
                               ConnectStrategy)
from .error_strategy import ErrorStrategy
from .retry_delay_strategy import RetryDelayStrategy
