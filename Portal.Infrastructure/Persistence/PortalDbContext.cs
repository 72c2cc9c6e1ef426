using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Audit;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Departments;
using Portal.Domain.Imports;
using Portal.Domain.Integrations;
using Portal.Domain.Messages;
using Portal.Domain.Providers;
using Portal.Domain.Segments;
using Portal.Domain.Templates;
using Portal.Infrastructure.Identity;

namespace Portal.Infrastructure.Persistence;

/// <summary>
/// The one EF Core model. Each database provider has a subclass that owns its migrations
/// (<see cref="Sqlite.SqlitePortalDbContext"/>, <see cref="Postgres.PostgresPortalDbContext"/>);
/// code everywhere else talks to this type.
/// </summary>
public abstract class PortalDbContext(DbContextOptions options) : IdentityDbContext<PortalUser>(options)
{
    public DbSet<Department> Departments => Set<Department>();
    public DbSet<Client> Clients => Set<Client>();
    public DbSet<ConsentRecord> ConsentRecords => Set<ConsentRecord>();
    public DbSet<ClientEvent> ClientEvents => Set<ClientEvent>();
    public DbSet<ClientTag> ClientTags => Set<ClientTag>();
    public DbSet<AttributeDefinition> AttributeDefinitions => Set<AttributeDefinition>();
    public DbSet<ClientAttribute> ClientAttributes => Set<ClientAttribute>();
    public DbSet<ImportJob> ImportJobs => Set<ImportJob>();
    public DbSet<ImportRowError> ImportRowErrors => Set<ImportRowError>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<SyncSource> SyncSources => Set<SyncSource>();
    public DbSet<SyncRun> SyncRuns => Set<SyncRun>();
    public DbSet<Segment> Segments => Set<Segment>();
    public DbSet<StaticList> StaticLists => Set<StaticList>();
    public DbSet<StaticListMember> StaticListMembers => Set<StaticListMember>();
    public DbSet<InboundMessage> InboundMessages => Set<InboundMessage>();
    public DbSet<AutoReplyRule> AutoReplyRules => Set<AutoReplyRule>();
    public DbSet<ReceiptOrphan> ReceiptOrphans => Set<ReceiptOrphan>();
    public DbSet<MessageTemplate> Templates => Set<MessageTemplate>();
    public DbSet<TemplateVersion> TemplateVersions => Set<TemplateVersion>();
    public DbSet<Campaign> Campaigns => Set<Campaign>();
    public DbSet<Message> Messages => Set<Message>();
    public DbSet<MessagePart> MessageParts => Set<MessagePart>();
    public DbSet<MessageChunk> MessageChunks => Set<MessageChunk>();
    public DbSet<PriorityMessage> PriorityMessages => Set<PriorityMessage>();
    public DbSet<MessagesApi.ApiIdempotencyKey> ApiIdempotencyKeys => Set<MessagesApi.ApiIdempotencyKey>();
    public DbSet<MessagesApi.ApiKeyUsage> ApiKeyUsages => Set<MessagesApi.ApiKeyUsage>();
    public DbSet<MessagesApi.StatusCallback> StatusCallbacks => Set<MessagesApi.StatusCallback>();
    public DbSet<SmsProvider> Providers => Set<SmsProvider>();
    public DbSet<PriceListEntry> PriceListEntries => Set<PriceListEntry>();
    public DbSet<Providers.SenderNode> SenderNodes => Set<Providers.SenderNode>();
    public DbSet<Providers.ProviderCircuit> ProviderCircuits => Set<Providers.ProviderCircuit>();
    public DbSet<Providers.CallbackNonce> CallbackNonces => Set<Providers.CallbackNonce>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<Domain.Retention.RetentionRun> RetentionRuns => Set<Domain.Retention.RetentionRun>();
    public DbSet<Portal.Domain.Analytics.Conversion> Conversions => Set<Portal.Domain.Analytics.Conversion>();
    public DbSet<Analytics.AnalyticsWatermark> AnalyticsWatermarks => Set<Analytics.AnalyticsWatermark>();
    public DbSet<Analytics.CampaignResultSnapshot> CampaignResultSnapshots => Set<Analytics.CampaignResultSnapshot>();
    public DbSet<Analytics.ConversionDelta> ConversionDeltas => Set<Analytics.ConversionDelta>();
    public DbSet<Dashboard.ProviderNodeStats> ProviderNodeStats => Set<Dashboard.ProviderNodeStats>();
    public DbSet<Bi.BiSecret> BiSecrets => Set<Bi.BiSecret>();
    public DbSet<Bi.BiExport> BiExports => Set<Bi.BiExport>();
    public DbSet<Bi.BiExportDefinition> BiExportDefinitions => Set<Bi.BiExportDefinition>();
    public DbSet<Portal.Domain.Tours.Tour> Tours => Set<Portal.Domain.Tours.Tour>();
    public DbSet<Portal.Domain.Tours.TourVersion> TourVersions => Set<Portal.Domain.Tours.TourVersion>();
    public DbSet<Portal.Domain.Tours.TourProgress> TourProgress => Set<Portal.Domain.Tours.TourProgress>();
    public DbSet<Portal.Domain.Tours.TourAssignment> TourAssignments => Set<Portal.Domain.Tours.TourAssignment>();
    // Issue 17: staff directory and alerts.
    public DbSet<Portal.Domain.Staff.Employee> Employees => Set<Portal.Domain.Staff.Employee>();
    public DbSet<Portal.Domain.Staff.EmployeeGroup> EmployeeGroups => Set<Portal.Domain.Staff.EmployeeGroup>();
    public DbSet<Portal.Domain.Staff.EmployeeGroupMember> EmployeeGroupMembers => Set<Portal.Domain.Staff.EmployeeGroupMember>();
    public DbSet<Portal.Domain.Staff.EscalationChain> EscalationChains => Set<Portal.Domain.Staff.EscalationChain>();
    public DbSet<Portal.Domain.Staff.EscalationLevel> EscalationLevels => Set<Portal.Domain.Staff.EscalationLevel>();
    public DbSet<Portal.Domain.Staff.OnCallRoster> OnCallRosters => Set<Portal.Domain.Staff.OnCallRoster>();
    public DbSet<Portal.Domain.Alerts.Alert> Alerts => Set<Portal.Domain.Alerts.Alert>();
    public DbSet<Portal.Domain.Alerts.AlertRecipient> AlertRecipients => Set<Portal.Domain.Alerts.AlertRecipient>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(PortalDbContext).Assembly);
    }
}
