"""Helpers for tests that run a DAG built in the test module with ``dag.test()``."""

from __future__ import annotations

from airflow.sdk import DAG


def register(dag: DAG) -> None:
    """Write the DAG built here to the metadata DB, as the DAG processor would for a DAG file.

    ``dag.test()`` (3.3) creates its run from the serialized DAG found in the DB, and then runs the
    tasks of this in-memory DAG object.

    :param dag: the DAG to register.
    """
    from airflow.dag_processing.bundles.manager import DagBundlesManager
    from airflow.dag_processing.collection import update_dag_parsing_results_in_db
    from airflow.serialization.serialized_objects import LazyDeserializedDAG
    from airflow.utils.session import create_session

    with create_session() as session:
        DagBundlesManager().sync_bundles_to_db(session=session)
        session.flush()
        update_dag_parsing_results_in_db(
            "dags-folder", None, [LazyDeserializedDAG.from_dag(dag)], {}, None, set(), session=session
        )
