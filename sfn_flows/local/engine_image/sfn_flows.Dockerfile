# sfn_flows itself on the dependencies' layer, copied from the installed package; the tag is
# the hash of the package's files (sfn_flows.local.engine_images).
ARG DEPENDENCIES
FROM ${DEPENDENCIES}
COPY sfn_flows /opt/sfn-flows/sfn_flows
# Compiled here, not at each start: the container must answer within 300 ms of `docker run`.
RUN python -m compileall -q -j 0 /opt/sfn-flows/sfn_flows
# The project's lambdas/ is mounted read-only: its modules are not compiled to files.
ENV PYTHONPATH=/opt/sfn-flows PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
EXPOSE 8083
CMD ["python", "-m", "sfn_flows", "engine", "serve", "--host", "0.0.0.0", "--port", "8083"]
