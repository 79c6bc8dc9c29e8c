"""The deploy and teardown journeys, one module per job: project (the folder and the sources it uses),
artifacts (the Lambda code's bucket and upload), deploy, teardown (a plan, then the act), deployed (what is
deployed: status and outputs), web (the stack's web bucket and the publish of the built app)."""
