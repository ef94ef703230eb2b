"""CloudFormation export of aws-native resources."""
