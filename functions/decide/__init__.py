"""``decide``: business rules on the model answer -> store + ``DecisionMade``, or escalate to humans."""
