package com.acme;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import io.superflux.task.Batch;
import io.superflux.task.BatchLimits;
import io.superflux.task.BatchTask;
import io.superflux.task.Message;
import io.superflux.task.TaskContext;
import io.superflux.task.TaskSpec;

/**
 * A batch sink: the {@code orders} topic into an embedded H2 table, one multi-row statement per
 * batch. Values are {@code <order id>,<amount in cents>}. A value that is not is marked failed
 * and goes on alone through the retry topics (and, failing there too, to the dead letters); the
 * rest of its batch is written.
 *
 * <p>Idempotent: the order id is the table's primary key and the statement is a {@code MERGE}, so
 * the records a crash or a rebalance makes the sink read again overwrite their own rows instead
 * of adding more. The database is {@code orders.jdbc-url} of the application's configuration
 * (default: {@code jdbc:h2:./orders}).
 */
public final class OrderSink extends BatchTask<String> {
    private Connection connection;

    public OrderSink() {
        super(TaskSpec.topic("orders").group("order-sink").retries(2)
                .batchLimits(BatchLimits.standard().withMaxRecords(1_000)));
    }

    @Override
    public void open(TaskContext context) throws SQLException {
        String url = context.config().hasPath("orders.jdbc-url") ? context.config().getString("orders.jdbc-url")
                : "jdbc:h2:./orders";
        connection = DriverManager.getConnection(url);
        try (Statement create = connection.createStatement()) {
            create.execute("CREATE TABLE IF NOT EXISTS orders (id VARCHAR(64) PRIMARY KEY, amount_cents BIGINT NOT NULL)");
        }
    }

    @Override
    public void call(Batch<String> batch) throws SQLException {
        List<String[]> rows = new ArrayList<>(batch.size());
        for (Message<String> message : batch) {
            String[] row = message.value() == null ? new String[0] : message.value().split(",", -1);
            if (row.length != 2 || row[0].isBlank() || !row[1].matches("-?\\d{1,18}")) {
                batch.failed(message, new IllegalArgumentException("not an order: '" + message.value() + "'"));
            } else {
                rows.add(row);
            }
        }
        if (!rows.isEmpty()) {
            write(rows);
        }
    }

    /** One statement for the batch: MERGE INTO orders KEY (id) VALUES (?, ?), (?, ?), … */
    private synchronized void write(List<String[]> rows) throws SQLException {
        StringBuilder sql = new StringBuilder("MERGE INTO orders (id, amount_cents) KEY (id) VALUES ");
        for (int i = 0; i < rows.size(); i++) {
            sql.append(i == 0 ? "(?, ?)" : ", (?, ?)");
        }
        try (PreparedStatement merge = connection.prepareStatement(sql.toString())) {
            int column = 1;
            for (String[] row : rows) {
                merge.setString(column++, row[0]);
                merge.setLong(column++, Long.parseLong(row[1]));
            }
            merge.executeUpdate();
        }
    }

    @Override
    public void close() throws SQLException {
        if (connection != null) {
            connection.close();
        }
    }
}
