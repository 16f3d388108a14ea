"""BestRoute: a self-hosted router that sends each AI request to the best model for the job."""

__version__ = "0.1.0"
