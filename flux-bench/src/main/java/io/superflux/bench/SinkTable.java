package io.superflux.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The {@code batch-sink} scenario's table: an in-memory H2 database served over TCP on the
 * loopback by an H2 server in the run's JVM, so that each statement is a round trip, as to a
 * database on the network (an embedded database has none, and then batching saves nothing).
 * Every side writes through it, so they differ only in how they get records to it. A row is keyed by
 * partition and offset modulo {@value #ROWS_PER_PARTITION} (the table stays small under
 * {@code -Xmx256m}; a MERGE of a key already there updates it, as an idempotent sink does). A
 * record whose offset ends in 07 is bad (1 %) when failures are on.
 */
final class SinkTable implements AutoCloseable {
    static final int ROWS_PER_PARTITION = 5_000;
    private final org.h2.tools.Server server;
    private final Connection connection;

    SinkTable(String name) throws SQLException {
        server = org.h2.tools.Server.createTcpServer("-tcpPort", "0", "-ifNotExists").start();
        connection = DriverManager.getConnection("jdbc:h2:tcp://localhost:" + server.getPort() + "/mem:" + name
                + ";DB_CLOSE_DELAY=-1");
        try (Statement create = connection.createStatement()) {
            create.execute("CREATE TABLE IF NOT EXISTS sink (id BIGINT PRIMARY KEY, payload VARBINARY(1000) NOT NULL)");
        }
    }

    /** Whether the record is one of the 1 % the sink rejects. */
    static boolean bad(ConsumerRecord<byte[], byte[]> record) {
        return record.offset() % 100 == 7;
    }

    /** Writes {@code records} in one multi-row MERGE statement. */
    synchronized void write(List<ConsumerRecord<byte[], byte[]>> records) throws SQLException {
        if (records.isEmpty()) {
            return;
        }
        StringBuilder sql = new StringBuilder(40 + records.size() * 8).append("MERGE INTO sink (id, payload) KEY (id) VALUES ");
        for (int i = 0; i < records.size(); i++) {
            sql.append(i == 0 ? "(?, ?)" : ", (?, ?)");
        }
        try (PreparedStatement merge = connection.prepareStatement(sql.toString())) {
            int column = 1;
            for (ConsumerRecord<byte[], byte[]> record : records) {
                merge.setLong(column++, (long) record.partition() * ROWS_PER_PARTITION + record.offset() % ROWS_PER_PARTITION);
                merge.setBytes(column++, record.value());
            }
            merge.executeUpdate();
        }
    }

    @Override
    public void close() throws SQLException {
        connection.close();
        server.stop();
    }
}
