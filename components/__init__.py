"""What gets deployed: Pulumi component resources, each with typed args, safe defaults and grants."""
