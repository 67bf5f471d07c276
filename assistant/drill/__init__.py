"""Role-play drills: scenarios (data), the customer engine, and the service that stores every turn."""
